// Draws the backward graph of the seed tutorial: writes tutorial_graph.dot and, with Debian's
// graphviz installed, renders it to tutorial_graph.svg with `dot -Tsvg`.
//   ./graph_picture [output-directory]
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "tensorgrad/tensorgrad.h"

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  tg::Variable x(tg::ones({2, 2}), true);
  tg::Tensor y = x + 2;
  tg::Tensor z = y * y * 3;
  tg::Tensor out = z.mean();

  const std::string dot_path = dir + "/tutorial_graph.dot", svg_path = dir + "/tutorial_graph.svg";
  std::ofstream(dot_path) << tg::autograd::to_dot({out});
  std::cout << "wrote " << dot_path << "\n";
  if (std::system("command -v dot > /dev/null 2>&1") != 0) {
    std::cout << "graphviz is not installed (Debian: apt-get install graphviz); render with "
                 "`dot -Tsvg "
              << dot_path << " -o " << svg_path << "`\n";
    return 0;
  }
  const std::string command = "dot -Tsvg '" + dot_path + "' -o '" + svg_path + "'";
  if (std::system(command.c_str()) != 0) {
    std::cerr << "graph_picture: `" << command << "` failed\n";
    return 1;
  }
  std::cout << "wrote " << svg_path << "\n";
  return 0;
}
