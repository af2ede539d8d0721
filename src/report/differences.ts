/**
 * Settings where this project departs on purpose from the code of the authors of "Sample
 * weighting as an explanation for mode collapse in generative adversarial networks"
 * (TensorFlow 1.12, published as awweide/mm-nsat). The report lists them in its header.
 */
export const DIFFERENCES_FROM_PAPER_CODE: string[] = [
  'Costs are averaged over the batch. The paper\'s code sums them, so its gradient sizes grow with the batch size.',
  'The class-distribution divergence compares generated class frequencies with the real data\'s label frequencies. The paper\'s code compares them with the uniform distribution.',
  'Batch norm normalises with batch statistics during training. The paper\'s code probably used fixed statistics.',
  'In the linear combination ns+mm-nsat(a), a = 1 is pure MM-nsat and a = 0 is pure NS.',
];
