// Autograd: automatic differentiation — the seed tutorial, cell by cell, in C++.
//
// The autograd package provides automatic differentiation for all operations on tensors. It is
// define-by-run: backprop is defined by how the code runs, and every iteration can differ.
#include <tensorgrad/tensorgrad.h>

#include <iostream>

int main() {
  // Variable: a tensor that records the operations done on it. Once the computation is
  // finished, call .backward() and all the gradients are computed automatically. The raw
  // tensor is .data(); the gradient with respect to the variable is accumulated into .grad().
  // Each variable's .creator() is the Function that created it (null for user-made ones).

  // Create a variable:
  tg::Variable x(tg::ones({2, 2}), /*requires_grad=*/true);
  std::cout << x << "\n\n";

  // Do an operation of variable:
  tg::Variable y = x + 2;
  std::cout << y << "\n\n";

  // y was created as a result of an operation, so it has a creator.
  std::cout << "<" << y.creator()->name() << ">\n\n";

  // Do more operations on y
  tg::Variable z = y * y * 3;
  tg::Variable out = z.mean();
  std::cout << "(" << z << "\n, " << out << "\n)\n\n";

  // Gradients
  // Let's backprop now: out.backward() is equivalent to out.backward(tg::tensor({1.0f})).
  out.backward();

  // print gradients d(out)/dx
  std::cout << x.grad() << "\n\n";
  // You should have got a matrix of 4.5. With o = 1/4 sum_i z_i and z_i = 3 (x_i + 2)^2,
  // do/dx_i = 3/2 (x_i + 2), which is 9/2 = 4.5 at x_i = 1.

  // You can do many crazy things with autograd!
  x = tg::Variable(tg::randn({3}), /*requires_grad=*/true);
  y = x * 2;
  while (y.data().norm().item<float>() < 1000) y = y * 2;
  std::cout << y << "\n\n";

  // y is not a scalar: backward needs the gradient of something with respect to y.
  tg::Tensor gradients = tg::tensor({0.1f, 1.0f, 0.0001f});
  y.backward(gradients);
  std::cout << x.grad() << "\n";
  return 0;
}
