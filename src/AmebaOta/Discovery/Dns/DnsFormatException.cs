namespace AmebaOta.Discovery.Dns;

/// <summary>A DNS message is malformed: truncated, a compression loop, an absurd count, a name too long, or does not fit when writing.</summary>
internal sealed class DnsFormatException(string message) : Exception(message);
