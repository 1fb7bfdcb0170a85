# sambabench compare: TTFT cumulative distributions of every run, level by level, overlaid.
# Data: each run's hdr/ttft_ms.LEVEL.csv. Re-render after editing: gnuplot compare_ttft.gp (in this folder).
set datafile separator ','
set title "{{TITLE}}" noenhanced
set xlabel 'time to first token (ms)'
set ylabel 'requests at or below (%)'
set yrange [0:100]
set key bottom right noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'compare_ttft.png'
plot {{SERIES}}
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'compare_ttft.svg'
replot
