# sambabench: output throughput against load, with TTFT p50 and p99 on the right axis; the knee the report names is
# marked. A closed loop's ticks are its concurrency levels.
# Data: throughput.dat beside this file. Re-render after editing: gnuplot throughput.gp (in this folder).
set title "{{TITLE}}" noenhanced
set xlabel '{{XLABEL}}'
set ylabel 'output throughput (tokens/s)'
set y2label 'TTFT (ms)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key below
set grid
{{XSCALE}}
{{KNEE}}
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'throughput.png'
plot 'throughput.dat' using 1:2 with linespoints lw 2 pt 7 title 'output tokens/s' axes x1y1{{TTFT}}
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'throughput.svg'
replot
