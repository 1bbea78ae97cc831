using System.Net;
using System.Text;
using AmebaOta.Families;
using AmebaOta.Images;

namespace AmebaOta.Device.Farm;

/// <summary>One board of a farm before it runs: its number (from 1), mDNS name, address and flash file.</summary>
public sealed record FarmBoardPlan(int Number, string Name, IPAddress Address, string FlashPath)
{
    /// <summary>The family the board is created as (an existing flash file boots as what its boot code says).</summary>
    public BoardFamily Family { get; init; } = BoardFamilies.Ameba1;

    /// <summary>Plans every board of <paramref name="options"/>, or throws <see cref="FarmException"/> with the first mistake.</summary>
    public static IReadOnlyList<FarmBoardPlan> For(DeviceFarmOptions options)
    {
        if (options.Count is < 1 or > DeviceFarmOptions.MaxBoards)
            throw new FarmException(FarmProblem.BadOptions, $"--count {options.Count} is out of range: a farm has 1 to {DeviceFarmOptions.MaxBoards} boards");
        if (options.Port is { } port && port is < 1 or > 65535)
            throw new FarmException(FarmProblem.BadOptions, $"port {options.Port} is out of range: use 1 to 65535 (every board listens on it, each on its own address)");
        int digits = Math.Max(3, options.Count.ToString().Length);
        string prefix = options.NamePrefix.Trim();
        if (prefix.Length == 0 || prefix.Contains('.'))
            throw new FarmException(FarmProblem.BadOptions, $"the name prefix '{options.NamePrefix}' is not usable: give a non-empty name without dots (for example MyAmeba)");
        int nameBytes = Encoding.UTF8.GetByteCount(prefix) + 1 + digits;
        if (nameBytes > SketchDescriptor.MaxNameBytes)
            throw new FarmException(FarmProblem.BadOptions, $"the name prefix '{prefix}' is too long: '{prefix}-{new string('0', digits)}' must fit in {SketchDescriptor.MaxNameBytes} UTF-8 bytes");
        var families = Families(options);
        var addresses = FarmAddresses.Range(options.BaseAddress, options.Count);
        string directory = Path.GetFullPath(options.Directory);
        var plans = new FarmBoardPlan[options.Count];
        for (int i = 0; i < plans.Length; i++)
        {
            string number = (i + 1).ToString().PadLeft(digits, '0');
            plans[i] = new FarmBoardPlan(i + 1, $"{prefix}-{number}", addresses[i], Path.Combine(directory, $"board-{number}.bin")) { Family = families[i] };
        }
        return plans;
    }

    /// <summary>Each board's family, in board order, from the mix (or the first image's family).</summary>
    private static BoardFamily[] Families(DeviceFarmOptions options)
    {
        if (options.Mix is not { } mix) return Enumerable.Repeat(options.Image?.Family ?? BoardFamilies.Ameba1, options.Count).ToArray();
        if (mix.Any(m => m.Count < 1) || mix.Sum(m => (long)m.Count) != options.Count)
            throw new FarmException(FarmProblem.BadOptions,
                $"the family mix ({string.Join(", ", mix.Select(m => $"{m.Family.Id}:{m.Count}"))}) must count at least 1 board each and {options.Count} in all");
        return [.. mix.SelectMany(m => Enumerable.Repeat(m.Family, m.Count))];
    }
}
