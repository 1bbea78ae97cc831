namespace AmebaOta.Discovery;

/// <summary>Finds a board's address and OTA port by its mDNS name, for <c>upload --device NAME</c> (never probes the OTA port).</summary>
public static class BoardResolver
{
    /// <summary>Three seconds: long enough for the query schedule's first repeats.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The <c>_arduino._tcp</c> service named <paramref name="name"/> (instance name or host name, case-insensitive) on
    /// <paramref name="networkInterface"/> (name or address; null for every interface), or null when none answers within
    /// <paramref name="timeout"/>. Returns as soon as SRV, TXT and address are known.
    /// </summary>
    public static Task<DiscoveredService?> ResolveAsync(string name, string? networkInterface, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        new MdnsBrowser(new MdnsBrowserOptions { Interface = networkInterface }).ResolveAsync(name, timeout ?? DefaultTimeout, cancellationToken);
}
