import HindsightCLI
import HullPlugin

await HindsightCLI.main(plugins: [HullPlugin.plugin])
