/// Which positions of a forward pass get logits.
public enum LogitPositions: Sendable {
    /// Only the last position: what generation needs to pick the next token.
    case last
    /// Every input position, e.g. to score a text or inspect predictions.
    case all
}
