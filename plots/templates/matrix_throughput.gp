# sambabench: output throughput (left) and TTFT p99 (right, dashed) against load, a line per matrix cell
# (input length x output length). Data: matrix_throughput.dat beside this file, one block per cell.
# Re-render after editing: gnuplot matrix_throughput.gp (in this folder).
set title "{{TITLE}}" noenhanced
set xlabel '{{XLABEL}}'
set ylabel 'output throughput (tokens/s)'
set y2label 'TTFT p99 (ms)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key below noenhanced
set grid
{{XSCALE}}
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'matrix_throughput.png'
plot {{SERIES}}
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'matrix_throughput.svg'
replot
