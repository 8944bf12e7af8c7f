/// A stored property left out of its type's `==` and hash: typed configuration values keep
/// where they were written, but two configurations that mean the same are equal whichever
/// file, syntax or line they came from (as ``Statement`` equality ignores locations).
@propertyWrapper
public struct NotCompared<Value: Sendable>: Hashable, Sendable {
    /// The value.
    public var wrappedValue: Value

    /// Wraps a value.
    public init(wrappedValue: Value) {
        self.wrappedValue = wrappedValue
    }

    /// Always true: the value is not part of the comparison.
    public static func == (lhs: Self, rhs: Self) -> Bool { true }

    /// Hashes nothing, consistently with ``==``.
    public func hash(into hasher: inout Hasher) {}
}
