// to_dot: the backward graph as Graphviz DOT.
#include <sstream>
#include <unordered_map>

#include "autograd/accumulate_grad.h"
#include "core/internal.h"

namespace tg::autograd {

namespace {
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

std::string to_dot(const variable_list& roots) {
  std::ostringstream dot;
  dot << "digraph backward {\n"
      << "  graph [rankdir=TB];\n"
      << "  node [shape=box, style=\"rounded,filled\", fillcolor=lightgrey, "
         "fontname=\"Helvetica\", fontsize=11];\n";
  std::unordered_map<const Node*, size_t> ids;
  std::vector<const Node*> stack;
  auto id_of = [&](const Node* n) {
    auto [it, inserted] = ids.emplace(n, ids.size());
    if (inserted) stack.push_back(n);
    return it->second;
  };
  for (size_t r = 0; r < roots.size(); ++r) {
    const Tensor& t = roots[r];
    TG_CHECK(t.defined(), "to_dot: root ", r, " is undefined");
    dot << "  root" << r << " [label=\"output " << r << "\\n"
        << to_string(t.dtype()) << " " << tg::detail::shape_str(t.sizes())
        << "\", fillcolor=darkolivegreen1];\n";
    Edge e = gradient_edge(t);
    if (e.is_valid()) dot << "  root" << r << " -> n" << id_of(e.function.get()) << ";\n";
  }
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    const size_t id = ids.at(n);
    if (auto* acc = dynamic_cast<const AccumulateGrad*>(n)) {
      const Tensor& v = acc->variable();
      dot << "  n" << id << " [label=\"" << escape(n->name()) << "\\nleaf " << to_string(v.dtype())
          << " " << tg::detail::shape_str(v.sizes()) << "\", fillcolor=lightblue];\n";
      continue;
    }
    dot << "  n" << id << " [label=\"" << escape(n->name()) << "\"];\n";
    const auto saved = n->saved_tensors_info();
    for (size_t s = 0; s < saved.size(); ++s)
      dot << "  n" << id << "_saved" << s << " [label=\"saved\\n"
          << escape(saved[s]) << "\", fillcolor=orange];\n  n" << id << "_saved" << s << " -> n"
          << id << " [style=dashed, arrowhead=none];\n";
    for (const Edge& e : n->next_edges())
      if (e.is_valid()) dot << "  n" << id << " -> n" << id_of(e.function.get()) << ";\n";
  }
  dot << "}\n";
  return dot.str();
}

}  // namespace tg::autograd
