# sambabench: TTFT cumulative distribution, one line per level, a step per measured request.
# Data: ../requests.csv (ttft_ms of the level's measured requests; failed ones have none), filtered by gnuplot into a
# datablock per level. Re-render after editing: gnuplot ttft_cdf.gp (in this folder).
set datafile separator ','
set datafile columnheaders
{{TABLES}}
set datafile nocolumnheaders
set datafile separator whitespace
set title "{{TITLE}}" noenhanced
set xlabel 'time to first token (ms)'
set ylabel 'requests at or below (%)'
set yrange [0:1.02]
set ytics ('0' 0, '20' 0.2, '40' 0.4, '60' 0.6, '80' 0.8, '100' 1)
{{XSCALE}}
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set key below noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'ttft_cdf.png'
plot {{SERIES}}
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'ttft_cdf.svg'
replot
