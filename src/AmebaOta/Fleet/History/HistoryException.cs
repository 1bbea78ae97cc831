namespace AmebaOta.Fleet.History;

/// <summary>The history database cannot be opened, read or written (read-only, corrupt, made by a newer version, disk full).</summary>
public sealed class HistoryException(string message, Exception? inner = null) : Exception(message, inner);
