// The sedm_module and sedm_adam handles (internal).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../nn/network.h"
#include "handles.h"

struct sedm_module {
    std::shared_ptr<sedm::nn::NetworkImpl> net;
    std::string config;  // resolved config JSON
    at::Device device{at::kCPU};
    at::ScalarType dtype = at::kFloat;
    // State of the last forward with keep_graph, consumed by backward.
    at::Tensor input;
    at::Tensor output;
};

namespace sedm {

/** Parameters then buffers, in registration order, with their dotted names. */
std::vector<std::pair<std::string, at::Tensor>> named_tensors(const sedm_module& m);

const sedm_module& module_of(const sedm_module* m, const char* name);

}  // namespace sedm
