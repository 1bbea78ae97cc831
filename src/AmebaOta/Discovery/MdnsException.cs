namespace AmebaOta.Discovery;

/// <summary>mDNS cannot run: no such interface, the socket cannot be opened or the group joined.</summary>
public sealed class MdnsException(string message, Exception? inner = null) : Exception(message, inner);
