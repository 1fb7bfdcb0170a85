# sambabench: the run second by second: output tokens/s, requests in flight and errors; a dotted line and the
# level's name mark where each level started.
# Data: ../timeseries.csv. Re-render after editing: gnuplot timeseries.gp (in this folder).
set datafile separator ','
set title "Second by second, golden: gpt-oss-120b (chat)" noenhanced
set xlabel 'time since the run started (s)'
set ylabel 'output tokens/s'
set y2label 'requests in flight, errors/s'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set offsets 0, 0, graph 0.08, 0
set key below
set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 3 lw 1 lc rgb '#777777'
set label 1 'c1' at 0, graph 1 offset 0.4, -1 font ',9' tc rgb '#444444' noenhanced
set arrow 2 from 1, graph 0 to 1, graph 1 nohead dt 3 lw 1 lc rgb '#777777'
set label 2 'c2' at 1, graph 1 offset 0.4, -1 font ',9' tc rgb '#444444' noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'timeseries.png'
plot '../timeseries.csv' every ::1 using 1:8 with steps lw 2 title 'output tokens/s' axes x1y1, \
     '' every ::1 using 1:3 with steps lw 2 dt 2 title 'in flight' axes x1y2, \
     '' every ::1 using 1:7 with impulses lw 3 title 'errors/s' axes x1y2
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'timeseries.svg'
replot
