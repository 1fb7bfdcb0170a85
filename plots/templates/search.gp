# sambabench: SLO search: the first objective's value at each load tried, against its threshold.
# Data: search.dat beside this file (load, value, 1 if every objective was met). Re-render: gnuplot search.gp
set title "{{TITLE}}" noenhanced
set xlabel '{{XLABEL}}'
set ylabel '{{YLABEL}}' noenhanced
set yrange [0:*]
set key top left noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'search.png'
plot 'search.dat' using 1:2 with lines lw 1 lc rgb '#999999' notitle, \
     '' using 1:($3 == 1 ? $2 : 1/0) with points pt 7 ps 1.6 lc rgb '#1a9850' title 'every objective met', \
     '' using 1:($3 == 1 ? 1/0 : $2) with points pt 5 ps 1.6 lc rgb '#d73027' title 'an objective missed', \
     {{THRESHOLD}} with lines lw 2 dt 2 lc rgb '#4575b4' title '{{SLO}}'
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'search.svg'
replot
