extension ReportHTML {
    /// The page's Mustache template: no script, no external resource, so the file reads the same offline. Text fields
    /// arrive escaped (triple braces); the SVGs are gnuplot's own renders.
    static let template = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sambabench">
<title>{{{title}}}</title>
<style>
  :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --band: #f4f6fa; --accent: #2f5fb3; }
  body { font: 15px/1.5 "DejaVu Sans", system-ui, sans-serif; color: var(--ink); margin: 0; background: #fff; }
  header { background: var(--ink); color: #fff; padding: 20px 32px; }
  header h1 { margin: 0; font-size: 24px; }
  header p { margin: 4px 0 0; color: #c9d2e3; }
  nav { padding: 8px 32px; border-bottom: 1px solid var(--line); background: var(--band); }
  nav a { color: var(--accent); margin-right: 18px; text-decoration: none; font-size: 14px; }
  main { padding: 8px 32px 40px; max-width: 1400px; }
  h2 { font-size: 19px; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
  code { font: 13px "DejaVu Sans Mono", monospace; background: var(--band); padding: 1px 4px; border-radius: 3px; }
  ul { padding-left: 22px; }
  li { margin: 4px 0; }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
  th, td { border: 1px solid var(--line); padding: 4px 10px; white-space: nowrap; }
  th { background: var(--band); text-align: left; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  tbody tr:nth-child(even) { background: #fafbfd; }
  figure { margin: 18px 0 28px; }
  figure svg { width: 100%; max-width: 1000px; height: auto; display: block; border: 1px solid var(--line); }
  figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
  pre { background: var(--band); padding: 12px; overflow-x: auto; font-size: 12px; max-height: 480px; }
  details summary { cursor: pointer; color: var(--accent); }
</style>
</head>
<body>
<header>
  <h1>{{{title}}}</h1>
  {{#hasSubtitle}}<p>{{{subtitle}}}</p>{{/hasSubtitle}}
</header>
<nav>{{#contents}}<a href="#{{{id}}}">{{{heading}}}</a>{{/contents}}</nav>
<main>
{{#sections}}
<section id="{{{id}}}">
  <h2>{{{heading}}}</h2>
  {{#paragraphs}}<p>{{{.}}}</p>
  {{/paragraphs}}
  {{#hasItems}}<ul>
  {{#items}}<li>{{{.}}}</li>
  {{/items}}</ul>{{/hasItems}}
  {{#tables}}<div class="table-wrap"><table>
    <thead><tr>{{#headers}}<th{{#numeric}} class="num"{{/numeric}}>{{{text}}}</th>{{/headers}}</tr></thead>
    <tbody>
    {{#rows}}<tr>{{#cells}}<td{{#numeric}} class="num"{{/numeric}}>{{{text}}}</td>{{/cells}}</tr>
    {{/rows}}</tbody>
  </table></div>
  {{/tables}}
  {{#figures}}<figure id="plot-{{{name}}}" data-plot="{{{name}}}">
  {{{svg}}}
  <figcaption>{{{name}}} (plots/{{{name}}}.svg and .png)</figcaption>
  </figure>
  {{/figures}}
  {{#hasPreformatted}}<details><summary>Show</summary><pre>{{{preformatted}}}</pre></details>{{/hasPreformatted}}
</section>
{{/sections}}
</main>
</body>
</html>

"""#
}
