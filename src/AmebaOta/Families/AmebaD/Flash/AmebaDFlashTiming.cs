using AmebaOta.Flash;

namespace AmebaOta.Families.AmebaD.Flash;

/// <summary>
/// Flash timing of AmebaD boards (docs/reference section 11.6). Realtek does not name the NOR part; its driver
/// supports Winbond, GigaDevice, MXIC and Micron parts, and the boards carry 2 or 4 MB parts of the Winbond W25Q16JV /
/// W25Q32JV class, whose datasheet gives: 4 KiB sector erase 45 ms typical, 400 ms maximum; a program command 30 µs for
/// the first byte then 2.5 µs a byte (maxima 50 µs and 12 µs), page program 0.4 ms typical, 3 ms maximum. What differs
/// from Ameba1 is how the OTA code uses the part:
/// <list type="bullet">
/// <item>it writes with <c>ota_writestream_user</c>, one program command per 12 bytes (then per 4, and a read-merge-write
/// of a partial word at either end), page by page (<see cref="WriteStream"/>);</item>
/// <item>it reads the bank back for the checksum with <c>ota_readstream_user</c>, one SPI user-mode command per 32-bit
/// word, about 1.4 MB/s: calibrated on Realtek's OTA guide, whose board log shows 737,280 bytes verified in 0.51 s.</item>
/// </list>
/// With these, Realtek's logged update of 737,280 bytes (180 sectors erased, then written) takes 8.1 s of erase and
/// 3.6 s of programming: the 11.7 s between the accept and <c>Update file size</c> in that log.
/// </summary>
public static class AmebaDFlashTiming
{
    /// <summary>Bytes a user-mode word read returns per second (<c>ota_readstream_user</c>).</summary>
    public const double UserModeReadBytesPerSecond = 1.43e6;

    /// <summary>Datasheet typical values.</summary>
    public static FlashTiming Typical { get; } = new("typical", TimeSpan.FromMilliseconds(45), TimeSpan.FromMilliseconds(0.4),
        TimeSpan.FromMicroseconds(30), TimeSpan.FromMicroseconds(2.5), UserModeReadBytesPerSecond);

    /// <summary>Datasheet maxima.</summary>
    public static FlashTiming Slow { get; } = new("slow", TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(3),
        TimeSpan.FromMicroseconds(50), TimeSpan.FromMicroseconds(12), UserModeReadBytesPerSecond);

    /// <summary>The profiles, by the names <c>--flash-timing</c> takes.</summary>
    public static IReadOnlyList<FlashTiming> Profiles { get; } = [FlashTiming.Instant, Typical, Slow];

    /// <summary>
    /// Time of <c>ota_writestream_user(address, length)</c>: per 256-byte page, a read-merge-write of a partial leading
    /// word, then 12-byte program commands, then 4-byte ones, then a read-merge-write of a partial trailing word.
    /// </summary>
    public static TimeSpan WriteStream(FlashTiming timing, uint address, int length)
    {
        if (length <= 0 || timing.PageProgram == TimeSpan.Zero) return TimeSpan.Zero;
        var total = TimeSpan.Zero;
        long at = address, end = address + (long)length;
        while (at < end)
        {
            long pageEnd = Math.Min(end, (at & ~0xFFL) + 0x100);
            long size = pageEnd - at;
            if ((at & 3) != 0)
            {
                long lead = Math.Min(size, 4 - (at & 3));
                total += timing.ProgramCommand(4);
                at += lead;
                size -= lead;
            }
            total += timing.ProgramCommand(12) * (size / 12);
            size %= 12;
            total += timing.ProgramCommand(4) * (size / 4);
            if (size % 4 != 0) total += timing.ProgramCommand(4);
            at = pageEnd;
        }
        return total;
    }
}
