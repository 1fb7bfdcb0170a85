import LoadGen

/// One column of a CSV the run writes and `report` reads back, defined once for both ways: its name, how a value is
/// written, and how a field is read back into the value (nil for a column derived from others, which `report`
/// recomputes instead of reading).
public struct CSVColumn<Value, Context>: Sendable {
    public let name: String
    let write: @Sendable (Value, Context) -> String
    let read: (@Sendable (inout Value, String) -> Bool)?
    /// A file without this column cannot be read back.
    let required: Bool
    /// Fills the value when an older file has no such column.
    let absent: (@Sendable (inout Value) -> Void)?

    init(_ name: String, required: Bool = false, write: @escaping @Sendable (Value, Context) -> String,
         read: (@Sendable (inout Value, String) -> Bool)?, absent: (@Sendable (inout Value) -> Void)? = nil) {
        self.name = name
        self.write = write
        self.read = read
        self.required = required
        self.absent = absent
    }

    /// Written from the others, never read.
    static func derived(_ name: String, _ write: @escaping @Sendable (Value, Context) -> String) -> CSVColumn {
        CSVColumn(name, write: write, read: nil)
    }

    static func int(_ name: String, _ path: WritableKeyPath<Value, Int> & Sendable, required: Bool = false) -> CSVColumn {
        CSVColumn(name, required: required, write: { value, _ in String(value[keyPath: path]) },
                  read: { value, field in
                      guard let number = Int(field) else { return false }
                      value[keyPath: path] = number
                      return true
                  })
    }

    static func optionalInt(_ name: String, _ path: WritableKeyPath<Value, Int?> & Sendable) -> CSVColumn {
        CSVColumn(name, write: { value, _ in CSVFormat.int(value[keyPath: path]) },
                  read: { value, field in
                      if field.isEmpty { value[keyPath: path] = nil; return true }
                      guard let number = Int(field) else { return false }
                      value[keyPath: path] = number
                      return true
                  })
    }

    static func flag(_ name: String, _ path: WritableKeyPath<Value, Bool> & Sendable, required: Bool = false) -> CSVColumn {
        CSVColumn(name, required: required, write: { value, _ in value[keyPath: path] ? "1" : "0" },
                  read: { value, field in
                      guard let number = Int(field) else { return false }
                      value[keyPath: path] = number == 1
                      return true
                  })
    }

    static func text(_ name: String, _ path: WritableKeyPath<Value, String> & Sendable, required: Bool = false) -> CSVColumn {
        CSVColumn(name, required: required, write: { value, _ in CSVFormat.field(value[keyPath: path]) },
                  read: { value, field in value[keyPath: path] = field; return true })
    }

    static func optionalText(_ name: String, _ path: WritableKeyPath<Value, String?> & Sendable) -> CSVColumn {
        CSVColumn(name, write: { value, _ in CSVFormat.field(value[keyPath: path] ?? "") },
                  read: { value, field in value[keyPath: path] = field.isEmpty ? nil : field; return true })
    }

    /// Milliseconds with nanosecond digits, read back exactly.
    static func time(_ name: String, _ path: WritableKeyPath<Value, Int64> & Sendable, required: Bool = false) -> CSVColumn {
        CSVColumn(name, required: required, write: { value, _ in CSVFormat.milliseconds(value[keyPath: path]) },
                  read: { value, field in
                      guard let ns = RunFiles.nanoseconds(field) else { return false }
                      value[keyPath: path] = ns
                      return true
                  })
    }

    static func optionalTime(_ name: String, _ path: WritableKeyPath<Value, Int64?> & Sendable) -> CSVColumn {
        CSVColumn(name, write: { value, _ in CSVFormat.milliseconds(value[keyPath: path]) },
                  read: { value, field in
                      if field.isEmpty { value[keyPath: path] = nil; return true }
                      guard let ns = RunFiles.nanoseconds(field) else { return false }
                      value[keyPath: path] = ns
                      return true
                  })
    }

    /// The shortest text that reads back as the same Double.
    static func exact(_ name: String, _ path: WritableKeyPath<Value, Double?> & Sendable) -> CSVColumn {
        CSVColumn(name, write: { value, _ in CSVFormat.exact(value[keyPath: path]) },
                  read: { value, field in
                      if field.isEmpty { value[keyPath: path] = nil; return true }
                      guard let number = Double(field) else { return false }
                      value[keyPath: path] = number
                      return true
                  })
    }

    static func name<E: RawRepresentable<String> & SendableMetatype>(_ name: String, _ path: WritableKeyPath<Value, E> & Sendable,
                                                   required: Bool = false) -> CSVColumn {
        CSVColumn(name, required: required, write: { value, _ in value[keyPath: path].rawValue },
                  read: { value, field in
                      guard let parsed = E(rawValue: field) else { return false }
                      value[keyPath: path] = parsed
                      return true
                  })
    }

    static func optionalName<E: RawRepresentable<String> & SendableMetatype>(_ name: String, _ path: WritableKeyPath<Value, E?> & Sendable,
                                                           required: Bool = false) -> CSVColumn {
        CSVColumn(name, required: required, write: { value, _ in value[keyPath: path]?.rawValue ?? "" },
                  read: { value, field in
                      if field.isEmpty { value[keyPath: path] = nil; return true }
                      guard let parsed = E(rawValue: field) else { return false }
                      value[keyPath: path] = parsed
                      return true
                  })
    }
}

/// A CSV file's columns, in order.
public struct CSVTable<Value, Context>: Sendable {
    public let columns: [CSVColumn<Value, Context>]

    public var header: String { columns.map(\.name).joined(separator: ",") + "\n" }

    var requiredNames: [String] { columns.filter(\.required).map(\.name) }

    func row(_ value: Value, _ context: Context) -> String {
        columns.map { $0.write(value, context) }.joined(separator: ",") + "\n"
    }

    /// Reads a row into `value` (which starts at its defaults); returns the name of the first column whose field is
    /// not valid, or nil.
    func read(_ row: RunFiles.Row, into value: inout Value) -> String? {
        for column in columns {
            guard let read = column.read else { continue }
            guard let field = row[column.name] else {
                column.absent?(&value)
                continue
            }
            if !read(&value, field) { return column.name }
        }
        return nil
    }
}
