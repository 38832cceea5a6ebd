{
  "targets": [
    {
      "target_name": "lab_onednn",
      "sources": ["src/addon.cc", "src/conv.cc", "src/batch_norm.cc", "src/matmul.cc", "src/engine.cc", "src/max_pool.cc", "src/optimizer.cc", "src/eltwise.cc", "src/batch_prep.cc"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp", "-fno-math-errno"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl", "-fopenmp"],
      "ldflags": ["-Wl,-rpath,'$$ORIGIN'"]
    }
  ]
}
