/// The mutable object `namespace(...)` returns; `{% set ns.x = ... %}` changes it from any scope.
final class JinjaNamespace {
    var attributes: KeyOrderedDictionary<JinjaValue>

    init(_ attributes: KeyOrderedDictionary<JinjaValue>) {
        self.attributes = attributes
    }
}
