// Stand-ins for FluCoMa's FluidDataSet, FluidLabelSet, FluidStandardize, FluidMLPRegressor and for a booted server,
// so the example patch runs in sclang alone. The arithmetic is FluCoMa's (Standardization.hpp, NNLayer.hpp).
FluidStub {
	classvar <data;
	*initClass { data = IdentityDictionary.new }
	*floats { |array| ^array.collect { |x| if(x.isString) { x.asFloat } { x } } }
}
FluidDataSet {
	var <json;
	*new { |server| ^super.new }
	read { |path, action| json = path.parseJSONFile; ("STUB read" + path.basename).postln; action.value(this) }
	print { ("STUB print" + json["data"].size).postln }
}
FluidLabelSet : FluidDataSet {}
FluidStandardize {
	var mean, std;
	*new { |server| ^super.new }
	read { |path, action| var j = path.parseJSONFile; mean = FluidStub.floats(j["mean"]); std = FluidStub.floats(j["std"]); action.value(this) }
	transformPoint { |src, dst, action|
		FluidStub.data[dst] = (FluidStub.data[src] - mean) / std.max(2.220446049250313e-16);
		action.value
	}
}
FluidMLPRegressor {
	var layers;
	*new { |server| ^super.new }
	read { |path, action| layers = path.parseJSONFile["layers"]; action.value(this) }
	predictPoint { |src, dst, action|
		var h = FluidStub.data[src];
		layers.do { |layer|
			var w = layer["weights"].collect { |row| FluidStub.floats(row) }, b = FluidStub.floats(layer["biases"]);
			var z = b.collect { |bj, j| bj + h.collect { |hi, i| hi * w[i][j] }.sum };
			h = z.collect { |v| switch(layer["activation"].asInteger, 0, { v }, 1, { 1 / (1 + v.neg.exp) },
				2, { v.max(0) }, 3, { v.tanh }) };
		};
		FluidStub.data[dst] = h;
		action.value
	}
}
+ Server {
	waitForBoot { |onComplete| ^Routine(onComplete).play(AppClock) }
	sync { ^this }
}
+ Buffer {
	setn { |... args| FluidStub.data[this] = args[1].asArray.copy }
	getn { |index, count, action| action.value(FluidStub.data[this]) }
}
