# sambabench: decode rate per request ((N - k1) / (tL - t1)), cumulative distribution per level, a step per request.
# Data: ../requests.csv (decode_tps of the level's measured requests; failed ones have none), filtered by gnuplot into a
# datablock per level. Re-render after editing: gnuplot decode_rate.gp (in this folder).
set datafile separator ','
set datafile columnheaders
{{TABLES}}
set datafile nocolumnheaders
set datafile separator whitespace
set title "{{TITLE}}" noenhanced
set xlabel 'decode rate per request (tokens/s)'
set ylabel 'requests at or below (%)'
set yrange [0:1.02]
set ytics ('0' 0, '20' 0.2, '40' 0.4, '60' 0.6, '80' 0.8, '100' 1)
{{XSCALE}}
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set key below noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'decode_rate.png'
plot {{SERIES}}
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'decode_rate.svg'
replot
