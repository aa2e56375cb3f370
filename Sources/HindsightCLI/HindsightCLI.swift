import Engine

/// The `hindsight` command line, for the executable and for users who build their own with plug-ins:
///
/// ```swift
/// @main struct MyHindsight {
///     static func main() async { await HindsightCLI.main(plugins: [MyPlugin.plugin]) }
/// }
/// ```
public enum HindsightCLI {
    /// Installs `plugins` (their indicators and strategies join the built-ins everywhere: expressions, configs,
    /// sweeps, `hindsight expr`), then parses the process arguments and runs the command.
    public static func main(plugins: [HindsightPlugin] = []) async {
        for p in plugins { p.install() }
        Hindsight.keepFreedMemory()
        await Hindsight.main(nil)
    }
}
