// dagre on the harness's flattened graph: node dagre.js GRAPH.json OUT.json
// The clock covers dagre.layout only, repeated until at least 300 ms have passed (so small graphs
// are measured warm); OUT.json gets each edge's points, in graph order, for the crossing count.
const fs = require('node:fs');
const dagre = require('@dagrejs/dagre');
const { readJson, timeRepeated } = require('./common.js');

const [graphPath, outPath] = process.argv.slice(2);
const input = readJson(graphPath);

function build() {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 40 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of input.nodes) g.setNode(node.id, { width: node.w, height: node.h });
  input.edges.forEach((edge, index) => g.setEdge(edge.from, edge.to, {}, `e${index}`));
  return g;
}

let g;
const { ms, runs } = timeRepeated(() => {
  g = build();
  dagre.layout(g);
}, 300);
const edges = input.edges.map((edge, index) =>
  (g.edge({ v: edge.from, w: edge.to, name: `e${index}` }).points || []).map((p) => [p.x, p.y]),
);
fs.writeFileSync(outPath, JSON.stringify({ edges }));
process.stdout.write(`${JSON.stringify({ ms, runs })}\n`);
