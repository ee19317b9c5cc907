// Uses the library as an outside project would; exits non-zero when a gradient is wrong.
#include <tensorgrad/torch.h>  // also checks that `torch::` names tensorgrad

#include <cmath>
#include <iostream>

int main() {
  auto x = torch::ones({2, 2}, torch::requires_grad());
  auto y = x + 2;
  auto out = (y * y * 3).mean();
  out.backward();
  // d(out)/dx = 3/2 (x + 2) = 4.5 at x = 1.
  const float g = x.grad()[1][0].item<float>();
  if (std::fabs(g - 4.5f) > 1e-6f || x.grad().sizes().vec() != std::vector<int64_t>{2, 2}) {
    std::cerr << "consumer: wrong gradient " << g << ", expected 4.5\n";
    return 1;
  }
  std::cout << "consumer: d(out)/dx = " << g << " as expected\n";
  return 0;
}
