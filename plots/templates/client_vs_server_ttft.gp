# sambabench: each request's TTFT as the client measured it against the server's own time_to_first_token.
# Points above the diagonal are time outside the server's clock (network, queueing in front of it). Both axes are
# fitted to the data.
# Data: ttft_client_server.dat beside this file (level index, client ms, server ms). Re-render: gnuplot client_vs_server_ttft.gp
set title "{{TITLE}}" noenhanced
set xlabel 'server time\_to\_first\_token (ms)'
set ylabel 'client TTFT (ms)'
set autoscale xfix
set autoscale yfix
set offsets graph 0.04, graph 0.04, graph 0.04, graph 0.04
set key below noenhanced
set grid
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10'
set output 'client_vs_server_ttft.png'
plot {{SERIES}}, x with lines dt 2 lc rgb '#666666' title 'client = server'
set terminal svg size 1000,620 dynamic font 'DejaVu Sans,10'
set output 'client_vs_server_ttft.svg'
replot
