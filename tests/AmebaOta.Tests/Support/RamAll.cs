using AmebaOta.Families.Ameba1.Images;

namespace AmebaOta.Tests.Support;

/// <summary>Builds a <c>ram_all.bin</c> the way the Arduino package does: ram_1.p.bin padded with 0xFF to 0xB000, then ram_2.p.bin.</summary>
public static class RamAll
{
    public static byte[] Build(byte[] ram2, uint image2Offset = 0xB000, int image1BodyLength = 0x400)
    {
        var file = new byte[image2Offset + ram2.Length];
        Array.Fill(file, (byte)0xFF, 0, (int)image2Offset);
        Image1Header.Write(file, (uint)image1BodyLength, image2Offset);
        for (int i = 0; i < image1BodyLength; i++) file[Image1Header.Size + i] = (byte)(i * 7 + 3); // stands in for ram_1 code
        ram2.CopyTo(file, (int)image2Offset);
        return file;
    }
}
