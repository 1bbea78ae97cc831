namespace AmebaOta.Flash;

/// <summary>
/// How long the SPI NOR chip takes for each operation (docs/reference section 9). Programming n bytes of one 256-byte page takes
/// the first-byte time plus the per-byte time for the rest, capped at the page-program time (datasheet tBP1, tBP2, tPP);
/// a program that spans pages is one page program per page. The SDK's <c>flash_stream_write</c>, which the OTA code
/// uses, issues one program command per 32-bit word (<see cref="StreamWrite"/>), which makes it several times slower
/// than page programs. Reads go at the SPI clock.
/// <list type="bullet">
/// <item><see cref="Instant"/>: no time at all (offline tools, fast unit tests).</item>
/// <item><see cref="Typical"/>: datasheet typical values of the Winbond W25Q80/W25Q16 and Macronix MX25L8006E/MX25L1606E class
/// parts: sector erase 45 ms, page program 0.7 ms (first byte 30 µs, then 2.5 µs a byte), reads at 20 MB/s.</item>
/// <item><see cref="Slow"/>: datasheet maxima: sector erase 400 ms, page program 3 ms (50 µs, then 12 µs a byte), reads at 10 MB/s.</item>
/// </list>
/// </summary>
public sealed record FlashTiming(
    string Name,
    TimeSpan SectorErase,
    TimeSpan PageProgram,
    TimeSpan FirstByteProgram,
    TimeSpan NextByteProgram,
    double ReadBytesPerSecond)
{
    /// <summary>Bytes in one program page.</summary>
    public const int PageSize = 256;

    /// <summary>No time: every operation completes at once.</summary>
    public static FlashTiming Instant { get; } = new("instant", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, double.PositiveInfinity);

    /// <summary>Datasheet typical values.</summary>
    public static FlashTiming Typical { get; } = new("typical", TimeSpan.FromMilliseconds(45), TimeSpan.FromMilliseconds(0.7),
        TimeSpan.FromMicroseconds(30), TimeSpan.FromMicroseconds(2.5), 20e6);

    /// <summary>Datasheet maxima: what a worn or hot chip may take; a host must allow for it.</summary>
    public static FlashTiming Slow { get; } = new("slow", TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(3),
        TimeSpan.FromMicroseconds(50), TimeSpan.FromMicroseconds(12), 10e6);

    /// <summary>The named profiles, for option parsing and help text.</summary>
    public static IReadOnlyList<FlashTiming> Profiles { get; } = [Instant, Typical, Slow];

    /// <summary>The profile called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static FlashTiming? Find(string name) =>
        Profiles.FirstOrDefault(p => string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The same profile with every duration divided by <paramref name="factor"/> (a board clock running that much faster, for tests).</summary>
    public FlashTiming Faster(double factor)
    {
        if (!(factor >= 1)) throw new ArgumentOutOfRangeException(nameof(factor), "the speed-up is at least 1");
        if (factor == 1) return this;
        return new FlashTiming($"{Name}/{factor:0.##}", SectorErase / factor, PageProgram / factor, FirstByteProgram / factor,
            NextByteProgram / factor, ReadBytesPerSecond * factor);
    }

    /// <summary>Time to erase <paramref name="sectors"/> sectors.</summary>
    public TimeSpan Erase(long sectors) => SectorErase * sectors;

    /// <summary>Time to program <paramref name="length"/> bytes from <paramref name="address"/>: one page program per page touched.</summary>
    public TimeSpan Program(uint address, int length)
    {
        if (length <= 0 || PageProgram == TimeSpan.Zero) return TimeSpan.Zero;
        var total = TimeSpan.Zero;
        long offset = address % PageSize;
        long left = length;
        while (left > 0)
        {
            long inPage = Math.Min(left, PageSize - offset);
            total += ProgramInPage((int)inPage);
            left -= inPage;
            offset = 0;
        }
        return total;
    }

    /// <summary>Time to program one 32-bit word (<c>flash_write_word</c>).</summary>
    public TimeSpan WordProgram => Program(0, 4);

    /// <summary>
    /// Time of <c>flash_stream_write</c> of <paramref name="length"/> bytes at <paramref name="address"/>: one word program
    /// for every 32-bit word the range touches (a partial word at either end is read, merged and programmed whole).
    /// </summary>
    public TimeSpan StreamWrite(long address, long length)
    {
        if (length <= 0) return TimeSpan.Zero;
        long words = (address + length - 1) / 4 - address / 4 + 1;
        return WordProgram * words;
    }

    /// <summary>Time to read <paramref name="length"/> bytes.</summary>
    public TimeSpan Read(long length) =>
        double.IsPositiveInfinity(ReadBytesPerSecond) || length <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(length / ReadBytesPerSecond);

    /// <summary>Time of one program command of <paramref name="bytes"/> bytes within one page (first-byte time, then per byte, capped at the page time).</summary>
    public TimeSpan ProgramCommand(int bytes) => bytes <= 0 ? TimeSpan.Zero : ProgramInPage(bytes);

    private TimeSpan ProgramInPage(int bytes)
    {
        var byBytes = FirstByteProgram + NextByteProgram * (bytes - 1);
        return byBytes < PageProgram ? byBytes : PageProgram;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
