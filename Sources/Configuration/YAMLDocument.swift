import Foundation
import HindsightCore
import Yams

/// Reads YAML into a `ConfigNode` tree that keeps every value's line and column.
public enum YAMLDocument {
    /// Loads and parses a YAML file.
    public static func load(path: String) throws -> ConfigNode {
        guard FileManager.default.fileExists(atPath: path) else {
            throw HindsightError(.fileNotFound, "\(path): no such file", cause: "check the path; configs are YAML files such as configs/sma-goog.yaml")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw HindsightError(.io, "\(path): cannot read the file as UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> ConfigNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw describe(e, file: file)
        } catch {
            throw HindsightError(.invalidArgument, "\(file): not valid YAML", cause: "\(error)")
        }
        guard let node else {
            throw HindsightError(.invalidArgument, "\(file): the file is empty", cause: "write a YAML mapping; see README.md for an example")
        }
        return try convert(node, file: file, path: "")
    }

    static func mark(_ m: Mark?, file: String) -> ConfigMark {
        ConfigMark(file: file, line: m?.line ?? 1, column: m?.column ?? 1)
    }

    static func convert(_ node: Node, file: String, path: String) throws -> ConfigNode {
        let here = mark(node.mark, file: file)
        switch node {
        case .scalar(let s):
            if s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) {
                return ConfigNode(.null, mark: here, path: path)
            }
            return ConfigNode(.scalar(s.string, plain: s.style == .plain), mark: here, path: path)
        case .sequence(let seq):
            var items: [ConfigNode] = []
            for (i, item) in seq.enumerated() { items.append(try convert(item, file: file, path: "\(path)[\(i)]")) }
            return ConfigNode(.sequence(items), mark: here, path: path)
        case .mapping(let map):
            var entries: [ConfigNode.Entry] = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw HindsightError(.invalidArgument, "\(mark(k.mark, file: file)): a key must be a plain word", cause: "write `key: value`")
                }
                let childPath = path.isEmpty ? ks.string : path + "." + ks.string
                entries.append(ConfigNode.Entry(key: ks.string, keyMark: mark(k.mark, file: file), value: try convert(v, file: file, path: childPath)))
            }
            return ConfigNode(.mapping(entries), mark: here, path: path)
        case .alias:
            throw HindsightError(.invalidArgument, "\(here): YAML aliases (*name) are not supported", cause: "write the value out in full")
        }
    }

    static func describe(_ e: YamlError, file: String) -> HindsightError {
        switch e {
        case .scanner(let context, let problem, let m, _), .parser(let context, let problem, let m, _), .composer(let context, let problem, let m, _):
            let ctx = context.map { " \($0.text)" } ?? ""
            return HindsightError(.invalidArgument, "\(file):\(m.line):\(m.column): YAML syntax error: \(problem)\(ctx)",
                                  cause: "check the indentation and the `key: value` form near line \(m.line)")
        case .reader(let problem, let offset, _, _):
            return HindsightError(.invalidArgument, "\(file): cannot read the YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")",
                                  cause: "save the file as UTF-8")
        default:
            return HindsightError(.invalidArgument, "\(file): not valid YAML", cause: "\(e)")
        }
    }
}
