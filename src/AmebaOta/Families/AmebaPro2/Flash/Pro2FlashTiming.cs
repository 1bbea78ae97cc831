using AmebaOta.Flash;

namespace AmebaOta.Families.AmebaPro2.Flash;

/// <summary>
/// Flash timing of the AMB82-mini (docs/reference section 11.3, "Time"). Its 16 MB SPI NOR part is not named in Realtek's
/// public sources; a 128 Mbit part of the Winbond W25Q128JV class gives, by its datasheet: 4 KiB sector erase 45 ms
/// typical, 400 ms maximum; page program 0.4 ms typical, 3 ms maximum (first byte 30 µs then 2.5 µs a byte, maxima 50 µs
/// and 12 µs). The OTA code (<c>ota_flash_NOR</c>) erases each 4 KiB block, writes it with <c>flash_burst_write</c>
/// (page programs) and reads it back with <c>flash_stream_read</c>, which goes at the SPI controller's speed (taken as
/// 20 MB/s; a 4 KiB read-back is 0.2 ms either way, small beside the erase). So a block costs about 52 ms typical: an
/// image of 1 MiB spends about 13 s in flash operations.
/// </summary>
public static class Pro2FlashTiming
{
    /// <summary>Datasheet typical values.</summary>
    public static FlashTiming Typical { get; } = new("typical", TimeSpan.FromMilliseconds(45), TimeSpan.FromMilliseconds(0.4),
        TimeSpan.FromMicroseconds(30), TimeSpan.FromMicroseconds(2.5), 20e6);

    /// <summary>Datasheet maxima.</summary>
    public static FlashTiming Slow { get; } = new("slow", TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(3),
        TimeSpan.FromMicroseconds(50), TimeSpan.FromMicroseconds(12), 10e6);

    /// <summary>The profiles, by the names <c>--flash-timing</c> takes.</summary>
    public static IReadOnlyList<FlashTiming> Profiles { get; } = [FlashTiming.Instant, Typical, Slow];
}
