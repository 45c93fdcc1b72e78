#include "pool/internal/backend.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <utility>

namespace pool::internal {

void Abandon(std::shared_ptr<void> engine) noexcept {
  // A singly linked list that is only ever pushed to (possibly by several
  // threads of the child at once) and never freed. The root is a global, so
  // the engines stay reachable and leak checkers see no leak.
  struct Node {
    std::shared_ptr<void> engine;
    Node* next;
  };
  static std::atomic<Node*> abandoned{nullptr};
  Node* node = new (std::nothrow) Node{std::move(engine), nullptr};
  if (node == nullptr) {
    // No memory for a node: the engine must still never be destroyed.
    alignas(std::shared_ptr<void>) static unsigned char
        spare[8][sizeof(std::shared_ptr<void>)];
    static std::atomic<int> used{0};
    const int slot = used.fetch_add(1);
    if (slot >= 8) {
      std::fprintf(stderr, "pool: out of memory abandoning a pool\n");
      std::abort();
    }
    new (spare[slot]) std::shared_ptr<void>(std::move(engine));
    return;
  }
  node->next = abandoned.load(std::memory_order_relaxed);
  while (!abandoned.compare_exchange_weak(node->next, node)) {
  }
}

}  // namespace pool::internal
