// Includes the Verilated model named by TB_MODEL (e.g. Vcrc32c_w8) and its width TB_WIDTH,
// both set per executable by tb/rtl/CMakeLists.txt.
#pragma once

#define TBRTL_STR2(x) #x
#define TBRTL_STR(x) TBRTL_STR2(x)
#include TBRTL_STR(TB_MODEL.h)
