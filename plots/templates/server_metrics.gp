# sambabench: the server's own metrics as scraped during the run (server_metrics.csv): requests running and waiting
# in its queue, beside the client's requests in flight at each scrape, with the KV-cache usage on the right axis; a
# dotted line and the level's name mark where each level started.
# Data: server_metrics.dat beside this file (seconds, running, waiting, KV cache %, client in flight; NaN where the
# server does not expose the figure). Re-render after editing: gnuplot server_metrics.gp (in this folder).
set title "{{TITLE}}" noenhanced
set xlabel 'time since the run started (s)'
set ylabel 'requests'
set y2label 'KV-cache usage (%)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:100]
set offsets 0, 0, graph 0.08, 0
set key below
{{LEVELS}}
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'server_metrics.png'
plot {{SERIES}}
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'server_metrics.svg'
replot
