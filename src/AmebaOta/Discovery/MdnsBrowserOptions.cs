namespace AmebaOta.Discovery;

/// <summary>Where and what a <see cref="MdnsBrowser"/> browses.</summary>
public sealed record MdnsBrowserOptions
{
    /// <summary>Interface name (<c>lo</c>) or address (<c>127.0.0.1</c>); null for every multicast-capable interface.</summary>
    public string? Interface { get; init; }

    /// <summary>Service type without the domain; default <c>_arduino._tcp</c>.</summary>
    public string ServiceType { get; init; } = ArduinoService.ServiceType;

    /// <summary>Longest gap between repeated queries in watch mode (§5.2: the interval doubles from 1 s up to this).</summary>
    public TimeSpan MaxQueryInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most service instances remembered at once (default 10,000); a flood of made-up names beyond that is ignored.</summary>
    public int CacheCapacity { get; init; } = ServiceCache.DefaultCapacity;
}
