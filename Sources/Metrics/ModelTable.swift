import LoadGen

/// `sambabench models`' table.
public enum ModelTable {
    /// One row per model: id, context, largest completion, prices ("-" where the endpoint gives none).
    public static func text(_ models: [ModelInfo]) -> String {
        guard !models.isEmpty else { return "no models listed\n" }
        let headers = ["id", "context", "max completion", "prompt price", "completion price"]
        let rows = models.map { model in
            [model.id, model.contextLength.map(String.init) ?? "-", model.maxCompletionTokens.map(String.init) ?? "-",
             model.promptPrice ?? "-", model.completionPrice ?? "-"]
        }
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
