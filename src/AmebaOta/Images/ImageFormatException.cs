namespace AmebaOta.Images;

/// <summary>A file that is not a usable Ameba image; the message is one line that says what is wrong.</summary>
public sealed class ImageFormatException(string message) : Exception(message);
