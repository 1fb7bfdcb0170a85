import Foundation

/// The gnuplot templates shipped in `plots/templates`, bundled so an installed binary finds them.
public enum PlotTemplates {
    /// The text of the template `name` (for example `ttft_cdf.gp`).
    public static func text(named name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "templates") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "plots/templates/\(name)"])
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
