# sambabench: the batch size inferred from the server's start times and TTFTs, against load.
# Data: batch_size.dat beside this file (load, mean, median and largest requests per batch).
# Re-render after editing: gnuplot batch_size.gp (in this folder).
set title "{{TITLE}}" noenhanced
set xlabel '{{XLABEL}}'
set ylabel 'requests per inferred prefill batch'
set yrange [0:*]
set key top left
set grid
{{XSCALE}}
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'batch_size.png'
plot 'batch_size.dat' using 1:2 with linespoints lw 2 pt 7 title 'mean', \
     '' using 1:3 with linespoints lw 2 pt 5 dt 2 title 'median', \
     '' using 1:4 with linespoints lw 2 pt 9 dt 3 title 'largest'
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'batch_size.svg'
replot
