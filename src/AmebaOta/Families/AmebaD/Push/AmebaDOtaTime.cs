using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Flash;

namespace AmebaOta.Families.AmebaD.Push;

/// <summary>How long a stock AmebaD board spends on an update of a given size, by the flash's timing (the model the virtual board runs).</summary>
/// <param name="Erase">The erase of <c>ceil(ImgLen / 4096)</c> sectors, before the first image byte is read.</param>
/// <param name="Write">Programming the image as it arrives, 512 bytes a read (when the network keeps up).</param>
/// <param name="Verify">Reading the bank back for the checksum.</param>
/// <param name="Reset">From <c>Ready to reboot</c> to the watchdog reset (100 ms + 50 ms).</param>
public sealed record AmebaDOtaTime(TimeSpan Erase, TimeSpan Write, TimeSpan Verify, TimeSpan Reset)
{
    /// <summary>The whole update, from the header to the reset.</summary>
    public TimeSpan Total => Erase + Write + Verify + Reset;

    /// <summary>The model for an image of <paramref name="imageLength"/> bytes (<c>ImgLen</c>) on flash of <paramref name="timing"/>.</summary>
    public static AmebaDOtaTime Estimate(FlashTiming timing, long imageLength)
    {
        if (imageLength <= 8) return new(timing.Erase(1), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMilliseconds(150));
        long sectors = (imageLength - 1) / AmebaDFlashLayout.SectorSize + 1;
        // The first read carries the 8 signature bytes, held back: the rest is written from bank + 8 in 512-byte pieces.
        var write = TimeSpan.Zero;
        long at = 8;
        long chunk = AmebaDOtaReceiver.BufferSize - 8;
        while (at < imageLength)
        {
            long n = Math.Min(chunk, imageLength - at);
            write += AmebaDFlashTiming.WriteStream(timing, (uint)(AmebaDFlashLayout.Ota2 + at), (int)n);
            at += n;
            chunk = AmebaDOtaReceiver.BufferSize;
        }
        return new AmebaDOtaTime(timing.Erase(sectors), write, timing.Read(imageLength - 8), TimeSpan.FromMilliseconds(150));
    }
}
