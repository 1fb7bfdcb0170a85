import ArgumentParser
import LoadGen

extension APIKind: ExpressibleByArgument {}

extension TransportPriority: ExpressibleByArgument {}
