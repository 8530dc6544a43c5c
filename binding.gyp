{
  "targets": [
    {
      "target_name": "xdp_router",
      "sources": [
        "native/addon.cc",
        "native/bpf_link.cc",
        "native/bpf_map.cc",
        "native/bpf_object.cc",
        "native/errors.cc",
        "native/grace_period.cc",
        "native/interface.cc",
        "native/js_map.cc",
        "native/js_program.cc",
        "native/js_rtnl.cc",
        "native/js_slowpath.cc",
        "native/js_tracing.cc",
        "native/js_util.cc",
        "native/js_xsk.cc",
        "native/library_log.cc",
        "native/netns.cc",
        "native/quiescent_readers.cc",
        "native/rtnl_socket.cc",
        "native/slowpath_decide.cc",
        "native/slowpath_lookup.cc",
        "native/slowpath_pipeline.cc",
        "native/slowpath_worker.cc",
        "native/tracing_object.cc",
        "native/xdp_dispatcher.cc",
        "native/xdp_program.cc",
        "native/xsk_socket.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror", "-isystem", "<(module_root_dir)/bpf/lib"],
      "libraries": ["<!@(pkg-config --libs libxdp libbpf)", "-lelf", "-lz"]
    }
  ]
}
