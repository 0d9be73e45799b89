// The test plugin's fixed facts (DPF reads them at compile time). Stereo in and out, as many plugins are.
#ifndef DISTRHO_PLUGIN_INFO_H_INCLUDED
#define DISTRHO_PLUGIN_INFO_H_INCLUDED
#define DISTRHO_PLUGIN_BRAND "rlfx-tests"
#define DISTRHO_PLUGIN_NAME  "RlfxTestFilter"
#define DISTRHO_PLUGIN_URI   "urn:rlfx-tui:test-filter"
#define DISTRHO_PLUGIN_BRAND_ID Rlfx
#define DISTRHO_PLUGIN_UNIQUE_ID RtfL
#define DISTRHO_PLUGIN_HAS_UI        0
#define DISTRHO_PLUGIN_IS_RT_SAFE    1
#define DISTRHO_PLUGIN_NUM_INPUTS    2
#define DISTRHO_PLUGIN_NUM_OUTPUTS   2
#define DISTRHO_PLUGIN_WANT_LATENCY  1
#endif
