namespace AmebaOta.Flash;

/// <summary>A flash file or dump that is not a whole-chip image; the message is one line for people.</summary>
public sealed class FlashFormatException(string message) : Exception(message);
