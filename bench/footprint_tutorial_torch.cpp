// examples/tutorial.cpp written for libtorch: the same cells, with <torch/torch.h>. Not part of
// the suite; scripts/bench.sh --footprint compiles it to compare compile time and compiler memory
// with the tensorgrad version. (libtorch has no Variable(tensor, requires_grad) constructor and no
// creator(); their libtorch spellings are used.)
#include <torch/torch.h>

#include <iostream>

int main() {
  torch::Tensor x = torch::ones({2, 2}, torch::requires_grad());
  std::cout << x << "\n\n";

  torch::Tensor y = x + 2;
  std::cout << y << "\n\n";
  std::cout << "<" << y.grad_fn()->name() << ">\n\n";

  torch::Tensor z = y * y * 3;
  torch::Tensor out = z.mean();
  std::cout << "(" << z << "\n, " << out << "\n)\n\n";

  out.backward();
  std::cout << x.grad() << "\n\n";

  x = torch::randn({3}, torch::requires_grad());
  y = x * 2;
  while (y.data().norm().item<float>() < 1000) y = y * 2;
  std::cout << y << "\n\n";

  torch::Tensor gradients = torch::tensor({0.1f, 1.0f, 0.0001f});
  y.backward(gradients);
  std::cout << x.grad() << "\n";
  return 0;
}
