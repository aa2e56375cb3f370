import HindsightTestSupport
import Sweep

/// The error text of loading a sweep file written from `yaml` (empty when it loads).
func sweepFileError(_ yaml: String, at path: String) -> String {
    TestPaths.write(yaml, to: path)
    do {
        _ = try SweepSpec.load(path: path)
        return ""
    } catch { return "\(error)" }
}
