# sambabench compare: output throughput against load for every run.
# Data: compare_throughput.dat beside this file, one block per run. Re-render: gnuplot compare_throughput.gp
set title "{{TITLE}}" noenhanced
set xlabel '{{XLABEL}}'
set ylabel 'output throughput (tokens/s)'
set yrange [0:*]
set key below noenhanced
set grid
{{XSCALE}}
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'compare_throughput.png'
plot {{SERIES}}
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'compare_throughput.svg'
replot
