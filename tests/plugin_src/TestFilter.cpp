// rlfx-tui's test plugin: gain (dB), a one-pole low-pass (Hz, log-hinted), a dry/wet mix (%), an on/off switch,
// a filter mode (enumeration) and a bypass. Reports 64 samples of latency (it adds none: only the figure is tested).
// In the environment, RLFX_TEST_PLUGIN_HANG makes the constructor sleep (the scanner's timeout test) and
// RLFX_TEST_PLUGIN_CRASH makes it die of SIGBUS, as a plugin with a truncated binary does.
#include "DistrhoPlugin.hpp"
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <unistd.h>

START_NAMESPACE_DISTRHO

enum { kGain, kCutoff, kMix, kEnabled, kMode, kBypass, kCount };

class TestFilter : public Plugin {
public:
    TestFilter() : Plugin(kCount, 0, 0) {
        if (std::getenv("RLFX_TEST_PLUGIN_HANG") != nullptr) sleep(600);
        if (std::getenv("RLFX_TEST_PLUGIN_CRASH") != nullptr) std::raise(SIGBUS);
        setLatency(64);
    }
protected:
    const char* getLabel() const override { return "RlfxTestFilter"; }
    const char* getMaker() const override { return "rlfx-tui tests"; }
    const char* getLicense() const override { return "ISC"; }
    uint32_t getVersion() const override { return d_version(1, 0, 0); }
    int64_t getUniqueId() const override { return d_cconst('R', 't', 'f', 'L'); }

    void initParameter(uint32_t index, Parameter& p) override {
        p.hints = kParameterIsAutomatable;
        switch (index) {
        case kGain: p.name = "Gain"; p.symbol = "gain"; p.unit = "dB";
            p.ranges.min = -24.0f; p.ranges.max = 12.0f; p.ranges.def = 0.0f; break;
        case kCutoff: p.name = "Cutoff"; p.symbol = "cutoff"; p.unit = "Hz"; p.hints |= kParameterIsLogarithmic;
            p.ranges.min = 20.0f; p.ranges.max = 20000.0f; p.ranges.def = 2000.0f; break;
        case kMix: p.name = "Mix"; p.symbol = "mix"; p.unit = "%";
            p.ranges.min = 0.0f; p.ranges.max = 100.0f; p.ranges.def = 100.0f; break;
        case kEnabled: p.name = "Enabled"; p.symbol = "enabled"; p.hints |= kParameterIsBoolean | kParameterIsInteger;
            p.ranges.min = 0.0f; p.ranges.max = 1.0f; p.ranges.def = 1.0f; break;
        case kMode: {
            p.name = "Mode"; p.symbol = "mode"; p.hints |= kParameterIsInteger;
            p.ranges.min = 0.0f; p.ranges.max = 2.0f; p.ranges.def = 0.0f;
            ParameterEnumerationValue* const v = new ParameterEnumerationValue[3];
            v[0].value = 0.0f; v[0].label = "Low";
            v[1].value = 1.0f; v[1].label = "High";
            v[2].value = 2.0f; v[2].label = "Band";
            p.enumValues.count = 3; p.enumValues.restrictedMode = true; p.enumValues.values = v;
            break; }
        case kBypass: p.initDesignation(kParameterDesignationBypass); break;
        }
        values[index] = p.ranges.def;
    }
    float getParameterValue(uint32_t index) const override { return values[index]; }
    void setParameterValue(uint32_t index, float value) override { values[index] = value; }
    void activate() override { state[0] = state[1] = state2[0] = state2[1] = 0.0f; }

    void run(const float** inputs, float** outputs, uint32_t frames) override {
        const float gain = std::pow(10.0f, values[kGain] / 20.0f);
        const float a = 1.0f - std::exp(-2.0f * 3.14159265f * values[kCutoff] / (float)getSampleRate());
        const float wet = values[kMix] / 100.0f;
        const bool on = values[kEnabled] > 0.5f && values[kBypass] < 0.5f;
        const int mode = (int)std::lround(values[kMode]);
        for (uint32_t c = 0; c < 2; ++c) {
            const float* in = inputs[c];
            float* out = outputs[c];
            for (uint32_t i = 0; i < frames; ++i) {
                const float x = in[i];
                state[c] += a * (x - state[c]);
                state2[c] += a * (state[c] - state2[c]);
                float f = mode == 0 ? state[c] : mode == 1 ? x - state[c] : state[c] - state2[c];
                out[i] = on ? (x + wet * (f * gain - x)) : x;
            }
        }
    }
private:
    float values[kCount] = {};
    float state[2] = {}, state2[2] = {};
    DISTRHO_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(TestFilter)
};

Plugin* createPlugin() { return new TestFilter(); }

END_NAMESPACE_DISTRHO
