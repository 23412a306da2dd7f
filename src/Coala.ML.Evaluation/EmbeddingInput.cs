using System.Diagnostics;
using System.Globalization;
using System.Text;
using Coala.ML.Audio;
using Coala.ML.Features;
using Coala.ML.Model;
using Coala.ML.Training;

using MathNet.Numerics.LinearAlgebra;

namespace Coala.ML.Evaluation;

/// <summary>What is embedded for each clip.</summary>
public enum EmbeddingInput
{
    /// <summary><see cref="CoalaEmbedder"/>: the mean of the encodings of the clip's non-overlapping patches.</summary>
    MeanPooling,
    /// <summary>The encoding of the single highest-energy patch (the reference embeds its pre-training validation patches).</summary>
    MaxEnergyPatch,
}
