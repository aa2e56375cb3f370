import ArgumentParser

struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Create databases, import and check market data, generate the synthetic market.",
        subcommands: [
            DataInit.self, DataImport.self, DataCheck.self, DataList.self, DataDelete.self, DataSynth.self,
        ])
}
