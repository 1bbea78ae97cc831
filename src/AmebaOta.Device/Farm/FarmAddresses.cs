using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace AmebaOta.Device.Farm;

/// <summary>
/// The boards' addresses: consecutive IPv4 addresses on the loopback range 127.0.0.0/8, counting up from the first.
/// On Linux every address of that range reaches <c>lo</c> with no set-up, so N boards can each bind their own.
/// </summary>
public static class FarmAddresses
{
    private const uint LoopbackNetwork = 0x7F000000;   // 127.0.0.0
    private const uint LastUsable = 0x7FFFFFFE;        // 127.255.255.254 (127.255.255.255 is the broadcast address)

    /// <summary><paramref name="count"/> addresses from <paramref name="first"/>; throws <see cref="FarmException"/> when they leave 127.0.0.0/8.</summary>
    public static IReadOnlyList<IPAddress> Range(IPAddress first, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (first.IsIPv4MappedToIPv6) first = first.MapToIPv4();
        if (first.AddressFamily != AddressFamily.InterNetwork)
            throw new FarmException(FarmProblem.BadOptions, $"the base address {first} is not IPv4: boards live on the loopback range 127.0.0.0/8 (for example 127.0.0.2)");
        uint start = ToUInt(first);
        if ((start & 0xFF000000) != LoopbackNetwork)
            throw new FarmException(FarmProblem.BadOptions, $"the base address {first} is not a loopback address: boards live on 127.0.0.0/8 only (for example 127.0.0.2)");
        if (start == LoopbackNetwork || start > LastUsable)
            throw new FarmException(FarmProblem.BadOptions, $"the base address {first} is not usable for a board: use 127.0.0.1 to 127.255.255.254");
        ulong last = (ulong)start + (ulong)count - 1;
        if (last > LastUsable)
            throw new FarmException(FarmProblem.BadOptions,
                $"{count} boards from {first} would run past 127.255.255.254: at most {LastUsable - start + 1} fit from there; use a lower --base-ip or fewer boards");
        var addresses = new IPAddress[count];
        for (int i = 0; i < count; i++) addresses[i] = FromUInt(start + (uint)i);
        return addresses;
    }

    private static uint ToUInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static IPAddress FromUInt(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
