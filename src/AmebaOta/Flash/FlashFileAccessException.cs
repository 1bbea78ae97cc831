namespace AmebaOta.Flash;

/// <summary>A flash file cannot be written, or is held by a running board: the message names the user's file and says why.</summary>
public sealed class FlashFileAccessException(string message, Exception? inner = null) : IOException(message, inner);
