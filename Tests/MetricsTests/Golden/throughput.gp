# sambabench: output throughput against load, with TTFT p50 and p99 on the right axis; the knee the report names is
# marked. A closed loop's ticks are its concurrency levels.
# Data: throughput.dat beside this file. Re-render after editing: gnuplot throughput.gp (in this folder).
set title "Throughput and TTFT against concurrency, golden: gpt-oss-120b (chat)" noenhanced
set xlabel 'concurrency'
set ylabel 'output throughput (tokens/s)'
set y2label 'TTFT (ms)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key below
set grid
unset logscale x
set xrange [0.5:2.5]
set xtics (1, 2)

set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'throughput.png'
plot 'throughput.dat' using 1:2 with linespoints lw 2 pt 7 title 'output tokens/s' axes x1y1, \
     '' using 1:3 with linespoints lw 2 pt 5 dt 2 title 'TTFT p50 (ms)' axes x1y2, \
     '' using 1:4 with linespoints lw 2 pt 9 dt 3 title 'TTFT p99 (ms)' axes x1y2
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'throughput.svg'
replot
